package dev.portier.proxy.config;

import java.util.ArrayList;
import java.util.List;

/** What loading the configuration found worth telling the operator, collected for the caller to log or print. */
final class Notices {

    final List<String> warnings = new ArrayList<>();
    final List<String> ignored = new ArrayList<>();

    void warn(String message) {
        warnings.add(message);
    }

    void ignore(String message) {
        ignored.add(message);
    }
}
