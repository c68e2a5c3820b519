package io.ratestream.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratestream.gateway.auth.AuthFile;
import io.ratestream.gateway.auth.Authenticator;
import io.ratestream.gateway.auth.Caller;
import io.ratestream.gateway.auth.Guard;
import io.ratestream.gateway.auth.Principal;
import io.ratestream.gateway.auth.Role;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallDescriptor;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the gateway's access control adds to one call (docs/security.md), with an auth file of 1,000
 * principals:
 *
 * <ul>
 *   <li>{@link #httpRequest}: an HTTP request's whole check: read {@code Authorization: Bearer KEY}, hash
 *       the key (SHA-256), find its principal, check role and tenant of a DebitBalance.
 *   <li>{@link #tcpCall}: a call on a JSON-RPC/TCP connection that authenticated once: find the
 *       principal of its stored digest again (a reload may have changed it), check role and tenant.
 * </ul>
 *
 * Setup checks that both allow the call, so a broken guard fails the run instead of printing a number.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AccessBenchmark {

    private static final int PRINCIPALS = 1_000;

    private Guard guard;
    private String header;
    private Caller connection;
    private CallDescriptor descriptor;

    @Setup
    public void setUp() {
        List<AuthFile.Entry> entries = new ArrayList<>();
        for (int i = 0; i < PRINCIPALS; i++) {
            entries.add(new AuthFile.Entry("switch-" + i, Authenticator.apiKey("rsk_key-" + i).sha256(), null,
                    List.of("vdf"), List.of(Role.RATE, Role.CHARGE)));
        }
        guard = new Guard(Authenticator.of(new AuthFile(entries)), new SimpleMeterRegistry());
        String key = "rsk_key-" + (PRINCIPALS / 2);
        header = "Bearer " + key;
        connection = Caller.connection();
        guard.authenticateWithKey(connection, new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode()
                .add(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("ApiKey", key)));
        descriptor = new CallDescriptor(0, "vdf", "minutosu", "0723", null, null, BigDecimal.ONE, null);
        if (!httpRequest().name().equals("switch-" + PRINCIPALS / 2) || tcpCall() == null) {
            throw new IllegalStateException("the guard refused the benchmark's call");
        }
    }

    @Benchmark
    public Principal httpRequest() {
        Caller caller = Caller.httpRequest(Caller.Transport.HTTP, header, null);
        Principal principal = guard.authenticate(caller, "DebitBalance");
        guard.authorize(caller, principal, Method.DEBIT_BALANCE, descriptor);
        return principal;
    }

    @Benchmark
    public Principal tcpCall() {
        Principal principal = guard.authenticate(connection, "DebitBalance");
        guard.authorize(connection, principal, Method.DEBIT_BALANCE, descriptor);
        return principal;
    }
}
