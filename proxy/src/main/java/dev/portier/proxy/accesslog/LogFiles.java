package dev.portier.proxy.accesslog;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.TimeBasedRollingPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Per-day log files through Logback, configured at start from the settings:
 * {@code <dir>/YYYY-MM-DD.access.log} and {@code <dir>/YYYY-MM-DD.proxy.log}. Prudent mode lets
 * several proxy processes append to one file; an async appender that never blocks keeps a slow or
 * full disk away from the event loops (lines are dropped instead).
 */
public final class LogFiles {

    /** The logger access lines go to. */
    public static final String ACCESS_LOGGER = "portier.access";
    static final int HISTORY_DAYS = 30;
    /** Lines held in memory while the disk is slow; past this, lines are dropped and counted. */
    static final int QUEUE_LINES = 16_384;
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(LogFiles.class);

    private LogFiles() {
    }

    private static final java.util.Set<Path> STARTED = new java.util.HashSet<>();
    private static final java.util.concurrent.atomic.LongAdder DROPPED = new java.util.concurrent.atomic.LongAdder();

    /** Access and proxy log lines dropped because the writer fell behind (a slow or full disk), since start. */
    public static long droppedLines() {
        return DROPPED.sum();
    }

    /**
     * Sends access lines to per-day files in {@code dir}, or turns them off when dir is null and no
     * other proxy in this JVM writes them. Idempotent per directory.
     */
    public static synchronized void configure(Path dir) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (dir == null) {
            if (STARTED.isEmpty()) {
                ctx.getLogger(ACCESS_LOGGER).setLevel(Level.OFF);
            }
            return;
        }
        Path d = dir.toAbsolutePath().normalize();
        if (STARTED.contains(d)) {
            return;
        }
        if (start(d)) {
            STARTED.add(d);
        } else if (STARTED.isEmpty()) {
            ctx.getLogger(ACCESS_LOGGER).setLevel(Level.OFF);
        }
    }

    /** Starts the file appenders; returns false (and logs why) when the directory cannot be written. */
    private static boolean start(Path dir) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        try {
            Files.createDirectories(dir);
        } catch (Exception e) {
            LOG.warn("log directory {} cannot be created ({}): access and proxy logs go to stdout only", dir, e.toString());
            return false;
        }
        if (!Files.isWritable(dir)) {
            LOG.warn("log directory {} is not writable: access and proxy logs go to stdout only", dir);
            return false;
        }
        AsyncAppender access = async(ctx, "access-" + dir, dailyFile(ctx, dir, "access", "%msg%n"));
        AsyncAppender proxy = async(ctx, "proxy-file-" + dir,
                dailyFile(ctx, dir, "proxy", "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level %logger{0} - %msg%n"));
        Logger accessLogger = ctx.getLogger(ACCESS_LOGGER);
        accessLogger.setAdditive(false);
        accessLogger.setLevel(Level.INFO);
        accessLogger.addAppender(access);
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(proxy);
        LOG.info("logs: {}/YYYY-MM-DD.access.log and .proxy.log", dir);
        return true;
    }

    private static RollingFileAppender<ILoggingEvent> dailyFile(LoggerContext ctx, Path dir, String kind, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(pattern);
        encoder.start();
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(ctx);
        file.setName(kind + "-daily");
        file.setAppend(true);
        file.setPrudent(true);
        TimeBasedRollingPolicy<ILoggingEvent> policy = new TimeBasedRollingPolicy<>();
        policy.setContext(ctx);
        policy.setParent(file);
        policy.setFileNamePattern(dir.resolve("%d{yyyy-MM-dd,UTC}." + kind + ".log").toString());
        policy.setMaxHistory(HISTORY_DAYS);
        policy.start();
        file.setRollingPolicy(policy);
        file.setEncoder(encoder);
        file.start();
        return file;
    }

    private static AsyncAppender async(LoggerContext ctx, String name, RollingFileAppender<ILoggingEvent> file) {
        AsyncAppender async = new CountingAsyncAppender(DROPPED);
        async.setContext(ctx);
        async.setName(name);
        async.setQueueSize(QUEUE_LINES);
        async.setDiscardingThreshold(0);
        async.setNeverBlock(true);
        // at exit Logback waits this long for queued lines (its default, 1 s, loses them on a slow disk)
        async.setMaxFlushTime(10_000);
        async.setIncludeCallerData(false);
        async.addAppender(file);
        async.start();
        return async;
    }

}
