package io.faultline.agent.policy;

import com.google.re2j.Pattern;

/**
 * A path glob matched in linear time: the forms {@link java.nio.file.FileSystem#getPathMatcher}
 * accepts ({@code *} within a name, {@code **} across names, {@code ?}, {@code [abc]},
 * {@code [!a-z]}, {@code {a,b}} and {@code \} escapes), translated to an RE2/J expression
 * instead of the JDK's backtracking regex, so that a long hostile path named by a signed command
 * cannot hold the agent's command loop (a pattern such as {@code /run/*-*-*.pid} against a 2 KB
 * path took the JDK matcher 37 s).
 */
public final class Glob {
    private final String glob;
    private final Pattern pattern;

    private Glob(String glob, Pattern pattern) {
        this.glob = glob;
        this.pattern = pattern;
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code glob} */
    public static Glob of(String glob) {
        return new Glob(glob, Pattern.compile(toRegex(glob)));
    }

    public boolean matches(String path) {
        return pattern.matches(path);
    }

    @Override
    public String toString() {
        return glob;
    }

    static String toRegex(String glob) {
        StringBuilder re = new StringBuilder(glob.length() * 2);
        boolean inGroup = false;
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i++);
            switch (c) {
                case '\\' -> {
                    if (i == glob.length()) {
                        throw new IllegalArgumentException("a \\ at the end escapes nothing");
                    }
                    quote(re, glob.charAt(i++));
                }
                case '*' -> {
                    if (i < glob.length() && glob.charAt(i) == '*') {
                        re.append(".*");
                        i++;
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '[' -> i = bracket(glob, i, re);
                case '{' -> {
                    if (inGroup) {
                        throw new IllegalArgumentException("groups { } cannot be nested");
                    }
                    inGroup = true;
                    re.append("(?:");
                }
                case '}' -> {
                    if (inGroup) {
                        inGroup = false;
                        re.append(')');
                    } else {
                        quote(re, c);
                    }
                }
                case ',' -> {
                    if (inGroup) {
                        re.append('|');
                    } else {
                        quote(re, c);
                    }
                }
                default -> quote(re, c);
            }
        }
        if (inGroup) {
            throw new IllegalArgumentException("a group { is not closed");
        }
        return re.toString();
    }

    /**
     * A bracket expression from just after its {@code [}; returns where the glob goes on. As in
     * the JDK, it never matches {@code /}: a negated one leaves it out, and a range across it is
     * cut in two around it.
     */
    private static int bracket(String glob, int i, StringBuilder re) {
        re.append('[');
        if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
            re.append("^/");
            i++;
        }
        boolean first = true;
        while (i < glob.length()) {
            char c = glob.charAt(i++);
            if (c == ']' && !first) {
                re.append(']');
                return i;
            }
            if (c == '/') {
                throw new IllegalArgumentException("a bracket expression [ ] cannot hold /");
            }
            first = false;
            if (i + 1 < glob.length() && glob.charAt(i) == '-' && glob.charAt(i + 1) != ']') {
                char hi = glob.charAt(i + 1);
                i += 2;
                if (hi < c) {
                    throw new IllegalArgumentException("the range " + c + "-" + hi + " runs backwards");
                }
                if (c <= '/' && '/' <= hi) {
                    if (c < '/') {
                        range(re, c, '.');
                    }
                    if (hi > '/') {
                        range(re, '0', hi);
                    }
                } else {
                    range(re, c, hi);
                }
            } else {
                literal(re, c);
            }
        }
        throw new IllegalArgumentException("a bracket expression [ is not closed");
    }

    private static void range(StringBuilder re, char lo, char hi) {
        literal(re, lo);
        re.append('-');
        literal(re, hi);
    }

    private static void literal(StringBuilder re, char c) {
        if (c == '\\' || c == '[' || c == ']' || c == '^' || c == '-' || c == '&' || c == '~') {
            re.append('\\');
        }
        re.append(c);
    }

    private static void quote(StringBuilder re, char c) {
        if ("\\.[]{}()*+-?^$|/".indexOf(c) >= 0) {
            re.append('\\');
        }
        re.append(c);
    }
}
