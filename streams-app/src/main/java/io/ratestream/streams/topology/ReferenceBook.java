package io.ratestream.streams.topology;

import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.Keys;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.streams.rating.ReferenceData;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference data of one streams-app instance, parsed once: the global-store processors write it
 * as records arrive on the compacted topics (and again on every restore, which replays them through the
 * processors), and the command processors read it on every call without deserializing anything.
 * One instance per topology; thread-safe (one writer, the global thread; many readers).
 */
public final class ReferenceBook implements ReferenceData {

    private final Map<String, RatingProfile> profiles = new ConcurrentHashMap<>();
    private final Map<String, Destination> destinations = new ConcurrentHashMap<>();
    private final Map<String, TariffPlan> plans = new ConcurrentHashMap<>();

    @Override
    public RatingProfile ratingProfile(String tenant, String subject, String prefix) {
        return profiles.get(Keys.ratingProfile(tenant, subject, prefix));
    }

    @Override
    public Destination destination(String id) {
        return destinations.get(id);
    }

    @Override
    public TariffPlan tariffPlan(String id) {
        return plans.get(id);
    }

    Map<String, RatingProfile> profiles() {
        return profiles;
    }

    Map<String, Destination> destinations() {
        return destinations;
    }

    Map<String, TariffPlan> plans() {
        return plans;
    }

    /** Whether the book holds at least these many entries of each kind (a loader waiting for its data). */
    public boolean holdsAtLeast(int ratingProfiles, int destinationCount, int tariffPlans) {
        return profiles.size() >= ratingProfiles && destinations.size() >= destinationCount
                && plans.size() >= tariffPlans;
    }

    /** How many entries of each kind are held: for status pages and tests. */
    public String summary() {
        return profiles.size() + " rating profiles, " + destinations.size() + " destinations, " + plans.size()
                + " tariff plans";
    }
}
