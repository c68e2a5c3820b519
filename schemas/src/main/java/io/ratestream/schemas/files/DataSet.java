package io.ratestream.schemas.files;

import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.UserBudget;
import java.util.List;

/**
 * The content of a set of original CGRateS data files, read completely and validated.
 *
 * @param ratingProfiles from the activation periods file; never null
 * @param destinations never null
 * @param tariffPlans never null
 * @param userBudgets never null; they carry no tenant, the loader assigns one
 */
public record DataSet(
        List<RatingProfile> ratingProfiles,
        List<Destination> destinations,
        List<TariffPlan> tariffPlans,
        List<UserBudget> userBudgets) {

    public DataSet {
        ratingProfiles = List.copyOf(ratingProfiles);
        destinations = List.copyOf(destinations);
        tariffPlans = List.copyOf(tariffPlans);
        userBudgets = List.copyOf(userBudgets);
    }
}
