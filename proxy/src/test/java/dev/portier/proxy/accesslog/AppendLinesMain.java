package dev.portier.proxy.accesslog;

import ch.qos.logback.classic.LoggerContext;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** A second proxy process, as far as the log files go: appends access lines to a directory, prints what it dropped. */
public final class AppendLinesMain {

    private AppendLinesMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int lines = Integer.parseInt(args[1]);
        LogFiles.configure(dir);
        for (int i = 0; i < lines; i++) {
            AccessLog.log("10.0.0.2", "GET", "/child-" + i, "HTTP/1.1", 200, 5, null, "child", "multi.test",
                    1_000_000, 500_000, "multi.test", "http://127.0.0.1:1", 200, 0);
        }
        // stopping the context drains the async queue into the file
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
        System.out.println("dropped " + LogFiles.droppedLines());
    }
}
