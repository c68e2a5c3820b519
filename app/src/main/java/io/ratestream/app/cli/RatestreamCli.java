package io.ratestream.app.cli;

import java.io.File;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ratestream}: one command line for every part. Options come from flags, else from the
 * properties file named by {@code --config} (keys are the option names without dashes, e.g.
 * {@code bootstrap=kafka1:9092}), else from environment variables ({@code RATESTREAM_BOOTSTRAP}, ...),
 * else from the defaults shown by {@code --help}.
 */
@Command(name = "ratestream", mixinStandardHelpOptions = true, version = "ratestream 0.1.0-SNAPSHOT",
        description = "Real-time rating and prepaid charging on Kafka Streams, speaking the 2012 CGRateS API.",
        subcommands = {DevCommand.class, LoadCommand.class, ConsoleCommand.class, StreamsCommand.class,
            GatewayCommand.class, ReplayCommand.class, RateCommand.class, io.ratestream.app.bench.BenchCommand.class,
            KafkaCommand.class, KeysCommand.class, AclsCommand.class})
public final class RatestreamCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line; returns its exit code. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new RatestreamCli());
        int config = Arrays.asList(args).indexOf("--config");
        if (config >= 0 && config + 1 < args.length) {
            cli.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(new File(args[config + 1])));
        }
        cli.setExecutionExceptionHandler((error, command, parsed) -> {
            command.getErr().println("ratestream " + command.getCommandName() + ": " + message(error));
            return 1;
        });
        return cli.execute(args);
    }

    private static String message(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
