package io.ratestream.schemas.json;

/** Short texts for error messages that may quote what a client sent. */
public final class Texts {

    private Texts() {
    }

    /**
     * At most {@code max} characters of {@code text} (null stays null), ending in "..." when cut; never
     * splits a surrogate pair.
     */
    public static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = Math.max(0, max - 3);
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "...";
    }
}
