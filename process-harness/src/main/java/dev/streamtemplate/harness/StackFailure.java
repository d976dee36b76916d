package dev.streamtemplate.harness;

import java.util.Optional;

/**
 * Why the local stack cannot start or keep running: a message for the console, and the child process whose
 * log file explains it, if one does.
 */
public final class StackFailure extends Exception {

    private final transient ChildProcess culprit;

    /** A failure no child's log explains (a taken port, a missing jar). */
    public StackFailure(String message) {
        this(message, null, null);
    }

    /** A failure explained by {@code culprit}'s log file. */
    public StackFailure(String message, ChildProcess culprit) {
        this(message, culprit, null);
    }

    /** A failure with a cause and, if not null, the child whose log explains it. */
    public StackFailure(String message, ChildProcess culprit, Throwable cause) {
        super(message, cause);
        this.culprit = culprit;
    }

    /** The child process whose log file explains the failure, if any. */
    public Optional<ChildProcess> culprit() {
        return Optional.ofNullable(culprit);
    }
}
