package dev.streamtemplate.runtime.query;

/**
 * The rule for a key a client names in a request (a path or query parameter such as a user id or a page path):
 * present, not blank, and at most {@value #LONGEST} characters, so a query never hashes or forwards an unbounded key.
 */
public final class KeyParameter {

    /** Longest accepted key, in characters. */
    public static final int LONGEST = 512;

    private KeyParameter() {
    }

    /**
     * Checks a key parameter.
     *
     * @param name  the parameter's name, as the client wrote it ({@code userId}, {@code page})
     * @param value its value
     * @return {@code value}
     * @throws InvalidQueryException (400) when it is missing, blank, or longer than {@value #LONGEST} characters
     */
    public static String require(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidQueryException("'" + name + "' is required");
        }
        if (value.length() > LONGEST) {
            throw new InvalidQueryException("'" + name + "' is longer than " + LONGEST + " characters");
        }
        return value;
    }
}
