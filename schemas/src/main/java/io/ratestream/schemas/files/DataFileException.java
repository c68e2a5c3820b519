package io.ratestream.schemas.files;

import java.nio.file.Path;

/**
 * A data file that cannot be used as it is. The message names the file, the entry (0-based index in
 * the file's top-level array, when the problem is in one entry), the field and what is wrong.
 */
public final class DataFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int entry;
    private final String field;

    DataFileException(Path file, int entry, String field, String problem) {
        super(describe(file, entry, field, problem));
        this.file = file;
        this.entry = entry;
        this.field = field;
    }

    private static String describe(Path file, int entry, String field, String problem) {
        StringBuilder text = new StringBuilder().append(file);
        if (entry >= 0) {
            text.append(": entry ").append(entry);
        }
        if (field != null && !field.isEmpty()) {
            text.append(": field ").append(field);
        }
        return text.append(": ").append(problem).toString();
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The 0-based index of the entry at fault, or -1 when the file as a whole is. */
    public int entry() {
        return entry;
    }

    /** The path of the field at fault inside the entry (e.g. {@code ActivationPeriods[0].Intervals[1]}), or null. */
    public String field() {
        return field;
    }
}
