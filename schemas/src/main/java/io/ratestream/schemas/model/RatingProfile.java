package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a subscriber pays for calls to numbers under a prefix: the original "activation periods" file
 * entry. Key: tenant + subject + prefix (see {@link Keys#ratingProfile}).
 *
 * @param tor type of record, informational
 * @param cstmId the tenant; never blank, no {@code ':'}
 * @param subject the subscriber; never blank
 * @param destinationPrefix the prefix the profile prices; never blank, no {@code ':'}
 * @param activationPeriods the periods, sorted by activation time (the constructor sorts them); never null
 */
public record RatingProfile(
        @JsonProperty("TOR") int tor,
        @JsonProperty("CstmId") String cstmId,
        @JsonProperty("Subject") String subject,
        @JsonProperty("DestinationPrefix") String destinationPrefix,
        @JsonProperty("ActivationPeriods") List<ActivationPeriod> activationPeriods) {

    public RatingProfile {
        Names.requireTenant(cstmId, "CstmId");
        Names.requireSubject(subject, "Subject");
        Names.requirePrefix(destinationPrefix, "DestinationPrefix");
        List<ActivationPeriod> sorted = new ArrayList<>(Decimals.copy(activationPeriods, "ActivationPeriods"));
        sorted.sort(Comparator.comparing(period -> period.activationTime().toInstant()));
        activationPeriods = List.copyOf(sorted);
    }

    /** This profile's key in the rating-profiles topic and store. */
    public String key() {
        return Keys.ratingProfile(cstmId, subject, destinationPrefix);
    }
}
