package dev.streamtemplate.generator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The {@code --flag value} and {@code --flag=value} arguments of a subcommand ({@code topics}, {@code acls}). */
final class CommandFlags {

    private CommandFlags() {
    }

    /**
     * Reads the arguments.
     *
     * @param args  the subcommand's arguments
     * @param known the flags it takes, such as {@code "--timeout"}
     * @return each flag given with its value (the last one when repeated)
     * @throws IllegalArgumentException naming an unknown flag or one without a value
     */
    static Map<String, String> parse(String[] args, Set<String> known) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("missing value for " + flag);
            }
            if (!known.contains(flag)) {
                throw new IllegalArgumentException("unknown option " + flag);
            }
            values.put(flag, value);
        }
        return values;
    }
}
