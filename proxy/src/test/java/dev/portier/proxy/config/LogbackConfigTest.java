package dev.portier.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The shipped logback.xml, loaded into a context of its own (tests otherwise use logback-test.xml). */
class LogbackConfigTest {

    @Test
    void theShippedConfigurationLoadsCleanlyWithTheIntendedLevels() throws Exception {
        URL xml = getClass().getClassLoader().getResource("logback.xml");
        assertNotNull(xml, "logback.xml is not on the class path");
        LoggerContext context = new LoggerContext();
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(xml);

            List<Status> problems = context.getStatusManager().getCopyOfStatusList().stream()
                    .filter(s -> s.getLevel() >= Status.WARN).toList();
            assertTrue(problems.isEmpty(), problems.toString());
            assertEquals(Level.INFO, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
            assertEquals(Level.WARN, context.getLogger("io.netty").getLevel());
            assertEquals(Level.WARN, context.getLogger("io.lettuce").getLevel());
            assertEquals(Level.INFO, context.getLogger("dev.portier.proxy.Main").getEffectiveLevel());
            var appender = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
            assertTrue(appender instanceof ConsoleAppender<?> c && "System.out".equals(c.getTarget()), String.valueOf(appender));
        } finally {
            context.stop();
        }
    }
}
