package io.ratestream.app;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/** Programs a test runs beyond the JDK: CI must have them (.ci/run installs them), a developer may skip. */
final class Programs {

    private Programs() {
    }

    /** Whether {@code program} is an executable on PATH. */
    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns when {@code program} is on PATH; otherwise fails under {@code CI=true} and skips the test
     * elsewhere, naming the Debian package that has it.
     */
    static void require(String program, String debianPackage) {
        if (onPath(program)) {
            return;
        }
        String missing = program + " is not on PATH";
        if ("true".equals(System.getenv("CI"))) {
            fail(missing + ": .ci/run installs it (apt-get install -y " + debianPackage + "); check that step");
        }
        Assumptions.abort(missing + ": install it (apt-get install -y " + debianPackage + ") to run this test");
    }
}
