package io.ratestream.app.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * docs/configuration.md, written from the options as they are declared: every command's options with
 * their environment variable, {@code --config} key, default and description. ConfigurationReferenceTest
 * fails when the file and the code differ, so the document cannot drift from what the commands accept.
 */
@Command(name = "config-reference", hidden = true,
        description = "Prints docs/configuration.md: every option of every command, from the code.")
final class ConfigurationReference implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        System.out.print(markdown(spec.root().commandLine()));
        return 0;
    }

    /** The reference of a command line and its subcommands. */
    static String markdown(CommandLine root) {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration reference\n\n")
                .append("<!-- Written by `./ratestream config-reference > docs/configuration.md` from the options as the code "
                        + "declares them; ConfigurationReferenceTest fails when this file is out of date. -->\n\n")
                .append("Every option of every command can be given three ways; the first one found wins:\n\n")
                .append("1. on the command line: `--bootstrap kafka1:9092`;\n")
                .append("2. in the properties file named by `--config FILE` (or `RATESTREAM_CONFIG`), under the option's ")
                .append("name without dashes: `bootstrap=kafka1:9092`. A key that names no option of the command is ")
                .append("refused, so a typo cannot go unnoticed;\n")
                .append("3. in the environment, as `RATESTREAM_` and the name in capitals: `RATESTREAM_BOOTSTRAP=kafka1:9092` ")
                .append("(how docker-compose.yml configures the containers).\n\n")
                .append("Otherwise the default below applies. Options that take several `KEY=VALUE` entries ")
                .append("(`--kafka-property`, `--scram-user`) take them one per line in a file or a variable.\n");
        for (Map.Entry<String, CommandLine> entry : root.getSubcommands().entrySet()) {
            CommandLine command = entry.getValue();
            if (command.getCommandSpec().usageMessage().hidden() || entry.getKey().equals("help")) {
                continue;
            }
            out.append("\n## ratestream ").append(entry.getKey()).append("\n\n");
            String[] description = command.getCommandSpec().usageMessage().description();
            if (description.length > 0) {
                out.append(String.join(" ", description)).append("\n\n");
            }
            out.append("| option | environment | default | what it does |\n|---|---|---|---|\n");
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (option.usageHelp() || option.versionHelp() || option.hidden()) {
                    continue;
                }
                out.append("| `").append(option.longestName()).append("` | `")
                        .append(OptionDefaults.environmentName(option)).append("` | ")
                        .append(option.defaultValue() == null ? "" : "`" + option.defaultValue() + "`").append(" | ")
                        .append(cell(String.join(" ", option.description()))).append(" |\n");
            }
        }
        return out.toString();
    }

    private static String cell(String description) {
        return description.replaceAll("\\s*\\(default: [^;)]*\\)", "")
                .replaceAll("\\(default: [^;)]*;\\s*", "(")
                .replace("|", "\\|").replace("\n", " ").trim();
    }
}
