package io.ratestream.app.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code ratestream}: one command line for every part, and the only way in (the Docker image's entry
 * point too). Options come from flags, else from the properties file named by {@code --config}, else from
 * environment variables ({@code RATESTREAM_BOOTSTRAP}, ...), else from the defaults shown by
 * {@code --help}: see {@link OptionDefaults} and docs/configuration.md.
 */
@Command(name = "ratestream", mixinStandardHelpOptions = true, version = "ratestream 0.1.0-SNAPSHOT",
        description = "Real-time rating and prepaid charging on Kafka Streams, speaking the 2012 CGRateS API.",
        footer = {"", "Every option can also be set in a --config file (bootstrap=HOST:PORT) or as an environment "
                + "variable (RATESTREAM_BOOTSTRAP); docs/configuration.md lists them all."},
        subcommands = {DevCommand.class, LoadCommand.class, ConsoleCommand.class, StreamsCommand.class,
            GatewayCommand.class, ReplayCommand.class, CdrsCommand.class, RateCommand.class, io.ratestream.app.bench.BenchCommand.class,
            KafkaCommand.class, KeysCommand.class, AclsCommand.class, ConfigurationReference.class})
public final class RatestreamCli implements Runnable {

    /** The {@code --config} option: every command accepts it; read before parsing (see {@link #execute}). */
    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "a properties file of options: KEY=VALUE per line, KEY the option's name without dashes "
                    + "(bootstrap=kafka1:9092); flags win over it, it wins over RATESTREAM_* variables")
    Path config;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        // Numbers in what ratestream prints ("ready in 20.5 s", progress lines) read the same whatever the
        // machine's locale. Locale.US is also the one for which java.util.Formatter skips building
        // DecimalFormatSymbols on each call: Kafka Streams 4.4 formats a message on every record it
        // processes for a task with an empty input (PartitionGroup.readyToProcess), half of which was that.
        Locale.setDefault(Locale.Category.FORMAT, Locale.US);
        System.exit(execute(args));
    }

    /** Runs a command line with this process's environment; returns its exit code. */
    public static int execute(String... args) {
        return execute(System.getenv(), args);
    }

    /** Runs a command line with the given environment variables; returns its exit code. */
    static int execute(Map<String, String> environment, String... args) {
        CommandLine cli = new CommandLine(new RatestreamCli());
        OptionDefaults defaults;
        try {
            defaults = OptionDefaults.of(configFile(environment, args), environment);
        } catch (IllegalArgumentException e) {
            cli.getErr().println("ratestream: " + e.getMessage());
            return 2;
        }
        cli.setDefaultValueProvider(defaults);
        cli.setExecutionStrategy(parsed -> {
            CommandLine command = subcommand(parsed);
            List<String> unknown = defaults.unknownKeys(command.getCommandSpec());
            if (!unknown.isEmpty() && !command.isUsageHelpRequested() && !command.isVersionHelpRequested()) {
                command.getErr().println("ratestream " + command.getCommandName() + ": the --config file "
                        + defaults.file() + " has keys that are no option of this command: " + unknown
                        + " (keys are option names without the dashes; `ratestream " + command.getCommandName()
                        + " --help` lists them)");
                return 2;
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.setExecutionExceptionHandler((error, command, parsed) -> {
            command.getErr().println("ratestream " + command.getCommandName() + ": " + message(error));
            return 1;
        });
        return cli.execute(args);
    }

    /**
     * Parses a command line as {@link #execute} would, with the given environment variables, without
     * running it: the checks of deployment files (docker-compose.yml) read the options' values from the
     * subcommand's spec.
     *
     * @throws CommandLine.ParameterException for an unknown option or a bad value
     * @throws IllegalArgumentException for a RATESTREAM_ variable that names no option of the subcommand
     */
    public static CommandLine.Model.CommandSpec parse(Map<String, String> environment, String... args) {
        CommandLine cli = new CommandLine(new RatestreamCli());
        cli.setDefaultValueProvider(OptionDefaults.of(configFile(environment, args), environment));
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        CommandLine.Model.CommandSpec command = subcommand(parsed).getCommandSpec();
        java.util.Set<String> known = new java.util.HashSet<>();
        command.options().forEach(option -> known.add(OptionDefaults.environmentName(option)));
        for (String name : environment.keySet()) {
            if (name.startsWith(OptionDefaults.ENV_PREFIX) && !known.contains(name)
                    && !name.equals(OptionDefaults.ENV_PREFIX + "JAVA_OPTS")) {
                throw new IllegalArgumentException(name + " names no option of `ratestream " + command.name() + "`");
            }
        }
        return command;
    }

    /** The command a parsed line runs: its last subcommand. */
    private static CommandLine subcommand(CommandLine.ParseResult parsed) {
        List<CommandLine> commands = parsed.asCommandLineList();
        return commands.get(commands.size() - 1);
    }

    /** The file of {@code --config FILE} or {@code --config=FILE}, else of RATESTREAM_CONFIG, else null. */
    private static Path configFile(Map<String, String> environment, String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        String fromEnvironment = environment.get(OptionDefaults.ENV_PREFIX + "CONFIG");
        return fromEnvironment == null || fromEnvironment.isBlank() ? null : Path.of(fromEnvironment);
    }

    private static String message(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
