package io.ratestream.streams.it;

import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import java.nio.file.Path;

/**
 * A streams-app instance in a child process, for tests that kill one with SIGKILL: {@code BOOTSTRAP
 * STATE_DIR APPLICATION_ID}. The product's way in is the {@code ratestream streams} command (app module);
 * this module's tests cannot reach it, so this runs the same {@link StreamsApp} with its defaults.
 */
public final class InstanceMain {

    private InstanceMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StreamsApp app = StreamsApp.start(StreamsAppConfig.defaults(args[0], Path.of(args[1]))
                .withApplicationId(args[2]));
        Runtime.getRuntime().addShutdownHook(new Thread(app::close));
        app.failure().join();
        System.exit(1);
    }
}
