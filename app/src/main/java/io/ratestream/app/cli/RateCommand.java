package io.ratestream.app.cli;

import io.ratestream.streams.local.LocalRater;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The rating engine alone, on files in the original formats. */
@Command(name = "rate", mixinStandardHelpOptions = true,
        description = "The rating engine alone, without Kafka, on data in the original formats: JSON-RPC requests as "
                + "arguments or on standard input (one per line), one JSON-RPC response each. Budgets live in "
                + "memory for one run.")
final class RateCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "demo/cgrates-2012", description = "data directory (default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--tenant", defaultValue = "vdf", description = "tenant of the budgets (default: ${DEFAULT-VALUE})")
    String tenant;

    @Parameters(description = "JSON-RPC request objects")
    List<String> requests = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(List.of("--data", data, "--tenant", tenant));
        args.addAll(requests);
        LocalRater.main(args.toArray(String[]::new));
        return 0;
    }
}
