package org.alosj.launcher;

/** A command-line or configuration mistake: one line for the user, exit status 2. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
