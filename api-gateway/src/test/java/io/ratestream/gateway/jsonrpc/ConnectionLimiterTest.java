package io.ratestream.gateway.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.gateway.jsonrpc.ConnectionLimiter.Admission;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connection counts alone, hammered from many threads. */
class ConnectionLimiterTest {

    @Test
    void shouldAdmitUpToEachLimitAndForgetAnAddressAtZero() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(3, 2);
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");

        assertThat(limiter.tryAcquire(a)).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAcquire(a)).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAcquire(a)).isEqualTo(Admission.ADDRESS_FULL);
        assertThat(limiter.tryAcquire(b)).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAcquire(b)).isEqualTo(Admission.SERVER_FULL);
        assertThat(limiter.open()).isEqualTo(3);

        limiter.release(a);
        limiter.release(b);
        assertThat(limiter.addresses()).isEqualTo(1);
        limiter.release(a);

        assertThat(limiter.open()).isZero();
        assertThat(limiter.addresses()).isZero();
        assertThatThrownBy(() -> limiter.release(a)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldKeyByAddressWithoutPort() throws Exception {
        InetAddress local = InetAddress.getLoopbackAddress();

        assertThat(ConnectionLimiter.addressOf(new InetSocketAddress(local, 1111)))
                .isEqualTo(ConnectionLimiter.addressOf(new InetSocketAddress(local, 2222)));
        assertThat(ConnectionLimiter.describe(ConnectionLimiter.addressOf(new InetSocketAddress(local, 1))))
                .isEqualTo(local.getHostAddress());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldNeverAdmitMoreThanTheLimitsUnderConcurrency() throws Exception {
        int maxTotal = 40;
        int maxPerAddress = 7;
        ConnectionLimiter limiter = new ConnectionLimiter(maxTotal, maxPerAddress);
        List<InetAddress> addresses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            addresses.add(InetAddress.getByName("10.0.1." + i));
        }
        // What the threads hold right now, counted independently of the limiter.
        AtomicInteger held = new AtomicInteger();
        ConcurrentHashMap<InetAddress, AtomicInteger> heldPerAddress = new ConcurrentHashMap<>();
        AtomicInteger maxHeld = new AtomicInteger();
        AtomicInteger maxHeldPerAddress = new AtomicInteger();
        AtomicInteger refusals = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Random random = new Random(t);
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    List<InetAddress> mine = new ArrayList<>();
                    for (int i = 0; i < 20_000; i++) {
                        if (!mine.isEmpty() && (mine.size() > 10 || random.nextBoolean())) {
                            InetAddress address = mine.remove(random.nextInt(mine.size()));
                            heldPerAddress.get(address).decrementAndGet();
                            held.decrementAndGet();
                            limiter.release(address);
                            continue;
                        }
                        InetAddress address = addresses.get(random.nextInt(addresses.size()));
                        if (limiter.tryAcquire(address) == Admission.ADMITTED) {
                            mine.add(address);
                            maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                            maxHeldPerAddress.accumulateAndGet(heldPerAddress
                                    .computeIfAbsent(address, x -> new AtomicInteger()).incrementAndGet(), Math::max);
                        } else {
                            refusals.incrementAndGet();
                        }
                    }
                    for (InetAddress address : mine) {
                        heldPerAddress.get(address).decrementAndGet();
                        held.decrementAndGet();
                        limiter.release(address);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            worker.start();
            workers.add(worker);
        }

        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }

        assertThat(failure.get()).isNull();
        assertThat(refusals.get()).as("the limits were reached").isPositive();
        assertThat(maxHeld.get()).isLessThanOrEqualTo(maxTotal);
        assertThat(maxHeldPerAddress.get()).isLessThanOrEqualTo(maxPerAddress);
        assertThat(limiter.open()).isZero();
        assertThat(limiter.addresses()).as("no address left behind").isZero();
    }
}
