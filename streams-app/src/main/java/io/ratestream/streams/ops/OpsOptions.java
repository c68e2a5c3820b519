package io.ratestream.streams.ops;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a streams app shows itself: its HTTP server for health and metrics ({@link OpsServer}), if any,
 * and where restoration progress lines go besides the log.
 *
 * @param httpBind the address the HTTP server listens on; not null
 * @param httpPort the port (0: any free one); null: no HTTP server, and no metrics registry
 * @param progress receives each restoration progress line ({@link RestoreTracker}); they are logged
 *     (INFO) in any case; not null
 */
public record OpsOptions(String httpBind, Integer httpPort, Consumer<String> progress) {

    /** The default bind address: this machine only. */
    public static final String DEFAULT_BIND = "127.0.0.1";

    public OpsOptions {
        Objects.requireNonNull(httpBind, "httpBind");
        Objects.requireNonNull(progress, "progress");
        if (httpPort != null && (httpPort < 0 || httpPort > 65_535)) {
            throw new IllegalArgumentException("the HTTP port must be 0 (any free port) to 65535, not " + httpPort);
        }
    }

    /** No HTTP server; progress only in the log. */
    public static OpsOptions none() {
        return new OpsOptions(DEFAULT_BIND, null, line -> { });
    }

    /** These options with the HTTP server on {@code bind}:{@code port} (port 0: any free one). */
    public OpsOptions withHttp(String bind, int port) {
        return new OpsOptions(bind, port, progress);
    }

    /** These options with progress lines also going to {@code sink}. */
    public OpsOptions withProgress(Consumer<String> sink) {
        return new OpsOptions(httpBind, httpPort, sink);
    }
}
