package io.ratestream.app.cli;

import io.ratestream.app.cdrs.CdrExport;
import io.ratestream.app.cdrs.CdrFormat;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.Rfc3339;
import io.ratestream.schemas.model.Names;
import io.ratestream.schemas.topics.Topics;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Exports the rated-call records (CDRs) of one tenant from ratestream.events: docs/cdrs.md. */
@Command(name = "cdrs", mixinStandardHelpOptions = true,
        description = "Exports the rated-call records (CDRs) of one tenant from " + Topics.EVENTS + ": every "
                + "prepaid session ended by its client or by expiry whose TimeStart is in [--from, --to), as CSV or "
                + "JSON lines, to standard output or --output. Reads each partition (partition order, then offset "
                + "order: the order of the topic) up to its end when the export starts, then exits 0; writes progress, "
                + "skipped unreadable records and a last count on standard error (docs/cdrs.md).")
final class CdrsCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SharedOptions.Kafka kafka;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "the tenant whose calls to export (required)")
    String tenant;

    @Option(names = "--from", paramLabel = "TIME", converter = TimeConverter.class,
            description = "export calls that started at or after this RFC 3339 time, e.g. 2026-03-01T00:00:00Z; "
                    + "without it, from the oldest call the topic still holds")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = TimeConverter.class,
            description = "export calls that started before this RFC 3339 time, e.g. 2026-04-01T00:00:00Z; "
                    + "without it, up to the newest call")
    Instant to;

    @Option(names = "--format", paramLabel = "csv|jsonl", defaultValue = "csv", converter = FormatConverter.class,
            description = "csv: RFC 4180 with a header line, CRLF line ends, Timespans summarised as Spans (their "
                    + "number); jsonl: each RatedCall's JSON on a line (default: ${DEFAULT-VALUE})")
    CdrFormat format;

    @Option(names = "--output", paramLabel = "FILE",
            description = "write to FILE instead of standard output; it appears, replacing any FILE, only once the "
                    + "export is complete; without it, standard output")
    Path output;

    @Option(names = "--seek-margin-seconds", defaultValue = "" + CdrExport.DEFAULT_SEEK_MARGIN_SECONDS,
            description = "start reading each partition at its first event written this many seconds before --from "
                    + "(events are written when a call ends, after it started): a call whose TimeStart is later than "
                    + "this after its end was accepted is missed; -1 reads every partition from its beginning "
                    + "(default: ${DEFAULT-VALUE})")
    long seekMarginSeconds;

    @Option(names = "--stall-timeout-seconds", defaultValue = "" + CdrExport.DEFAULT_STALL_TIMEOUT_SECONDS,
            description = "fail once Kafka has not answered, or no record came below a partition's end offset, for "
                    + "this long (default: ${DEFAULT-VALUE})")
    int stallTimeoutSeconds;

    @Mixin
    SharedOptions.KafkaProperties kafkaProperties;

    @Override
    public Integer call() throws IOException {
        CdrExport.Range range = range();
        CdrExport export = new CdrExport(kafka.bootstrap, kafkaProperties.values, settings(), System.err);
        if (output == null) {
            Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
            export.export(range, format.open(out, Json.newMapper()));
            out.flush();
            if (System.out.checkError()) {
                throw new IOException("could not write to standard output (closed early?)");
            }
            return 0;
        }
        Path target = output.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw usage("--output " + output + " is a directory: give the file to write");
        }
        Path partial = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".partial");
        try {
            CdrExport.Summary summary;
            try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                summary = export.export(range, format.open(out, Json.newMapper()));
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            System.out.printf("wrote %s of tenant %s to %s%n", CdrExport.calls(summary.calls()), tenant, output);
            return 0;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** The calls asked for; a usage error (exit code 2) for a missing or bad tenant and an empty range. */
    private CdrExport.Range range() {
        if (tenant == null || tenant.isBlank()) {
            throw usage("--tenant is required: the tenant whose calls to export (e.g. --tenant vdf)");
        }
        String problem = Names.tenantProblem(tenant, "--tenant");
        if (problem != null) {
            throw usage(problem);
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw usage("--from " + from + " is not before --to " + to + ": no call starts in [--from, --to)");
        }
        return new CdrExport.Range(tenant, from, to);
    }

    private CdrExport.Settings settings() {
        if (seekMarginSeconds < -1) {
            throw usage("--seek-margin-seconds must be -1 (read from the beginning) or at least 0: " + seekMarginSeconds);
        }
        if (stallTimeoutSeconds < 1) {
            throw usage("--stall-timeout-seconds must be at least 1: " + stallTimeoutSeconds);
        }
        return new CdrExport.Settings(seekMarginSeconds < 0 ? null : Duration.ofSeconds(seekMarginSeconds),
                Duration.ofSeconds(stallTimeoutSeconds), CdrExport.DEFAULT_PROGRESS_INTERVAL);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** An RFC 3339 time option. */
    static final class TimeConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Rfc3339.parse(value).toInstant();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The --format option. */
    static final class FormatConverter implements CommandLine.ITypeConverter<CdrFormat> {
        @Override
        public CdrFormat convert(String value) {
            try {
                return CdrFormat.of(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
