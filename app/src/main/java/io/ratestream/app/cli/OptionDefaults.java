package io.ratestream.app.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when the command line does not give it: the {@code --config}
 * properties file (key: the option's name without dashes, {@code bootstrap=kafka1:9092}), else the
 * environment ({@code RATESTREAM_} and the name in capitals with underscores, {@code RATESTREAM_BOOTSTRAP}),
 * else the default its {@code @Option} declares. Every option of every command gets both ways by its name
 * alone, so an option is declared once (name, type, default, description) and nowhere else.
 *
 * <p>An option that takes several {@code KEY=VALUE} entries ({@code --kafka-property}) takes them one per
 * line from a file or variable.
 */
final class OptionDefaults implements CommandLine.IDefaultValueProvider {

    /** The prefix of the environment variables. */
    static final String ENV_PREFIX = "RATESTREAM_";

    private final Path file;
    private final Properties values;
    private final Map<String, String> environment;

    private OptionDefaults(Path file, Properties values, Map<String, String> environment) {
        this.file = file;
        this.values = values;
        this.environment = environment;
    }

    /**
     * The defaults of a command line: {@code file} (null for none) over {@code environment}.
     *
     * @throws IllegalArgumentException when the file cannot be read, with a sentence naming it
     */
    static OptionDefaults of(Path file, Map<String, String> environment) {
        Properties values = new Properties();
        if (file != null) {
            try (InputStream in = Files.newInputStream(file)) {
                values.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the --config file " + file + ": " + e.getMessage());
            }
        }
        return new OptionDefaults(file, values, Map.copyOf(environment));
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        String fromFile = values.getProperty(key(option));
        return fromFile != null ? fromFile : environment.get(environmentName(option));
    }

    /**
     * The keys of the file that name no option of {@code command}: a typo there would otherwise be ignored
     * and the default used without a word.
     */
    List<String> unknownKeys(CommandSpec command) {
        TreeSet<String> known = new TreeSet<>();
        command.options().forEach(option -> known.add(key(option)));
        List<String> unknown = new ArrayList<>();
        for (String key : new TreeSet<>(values.stringPropertyNames())) {
            if (!known.contains(key)) {
                unknown.add(key);
            }
        }
        return unknown;
    }

    /** The file these defaults come from, or null. */
    Path file() {
        return file;
    }

    /** The key of an option in a {@code --config} file: its longest name without the dashes. */
    static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    /** The environment variable of an option: {@code --max-pending} is {@code RATESTREAM_MAX_PENDING}. */
    static String environmentName(OptionSpec option) {
        return ENV_PREFIX + key(option).toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
