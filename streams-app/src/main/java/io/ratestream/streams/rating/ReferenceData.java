package io.ratestream.streams.rating;

import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;

/**
 * The reference data the engine rates with: rating profiles, destinations and tariff plans. The
 * streams app backs it with global stores fed by compacted topics; tests and benchmarks with maps.
 * Implementations must answer quickly (they are called on the hot path) and return null, never
 * throw, for what they do not hold.
 */
public interface ReferenceData {

    /** The rating profile of exactly this tenant, subject and prefix, or null. */
    RatingProfile ratingProfile(String tenant, String subject, String prefix);

    /** The destination with this id, or null. */
    Destination destination(String id);

    /** The tariff plan with this id, or null. */
    TariffPlan tariffPlan(String id);
}
