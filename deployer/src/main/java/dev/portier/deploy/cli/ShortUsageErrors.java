package dev.portier.deploy.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** Prints a usage error as two lines, the error and where help is (as git and kubectl do), instead of the whole usage. */
public final class ShortUsageErrors implements IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + e.getMessage() + suggestion(e));
        err.println(hint(cmd));
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The line pointing at the full usage of the command that failed. */
    public static String hint(CommandLine cmd) {
        return "Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.";
    }

    // on the error's own line: picocli's "Possible solutions" would be a third
    private static String suggestion(ParameterException e) {
        if (!(e instanceof UnmatchedArgumentException u)) {
            return "";
        }
        List<String> s = u.getSuggestions();
        return s.isEmpty() ? "" : " (did you mean " + String.join(" or ", s.subList(0, Math.min(3, s.size()))) + "?)";
    }
}
