package io.ratestream.app.bench;

import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** How bench reaches the gateway; both send the same JSON-RPC 2.0 request objects. */
enum Protocol {
    /** JSON-RPC over TCP ({@code --server}): one connection per client, its calls in flight pipelined on it. */
    JSONRPC,
    /** JSON-RPC over HTTP ({@code POST /jsonrpc}, {@code --http-server}): a keep-alive connection per call in flight. */
    HTTP;

    /** The name on the command line and in the results. */
    String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** How many TCP connections a run opens to the gateway. */
    int sockets(int connections, int inFlight) {
        return this == HTTP ? connections * inFlight : connections;
    }

    static Protocol parse(String text) {
        return Arrays.stream(values()).filter(p -> p.optionValue().equals(text.trim().toLowerCase(Locale.ROOT)))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("--protocol must be jsonrpc or http; got '"
                        + text + "'"));
    }

    /** Lets picocli take the lower-case names. */
    static final class Converter implements ITypeConverter<Protocol> {
        @Override
        public Protocol convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
