package io.ratestream.streams.rating;

import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import java.util.List;

/**
 * What the engine decided for one command.
 *
 * @param budget the budget after the command: the same instance when nothing changed; null when there
 *     was none and still is none
 * @param reply the reply to send; never null
 * @param events what changed, for the events topic; empty when nothing did; never null
 */
public record Decision(UserBudget budget, Reply reply, List<BudgetEvent> events) {

    public Decision {
        events = List.copyOf(events);
    }

    /** Whether the command changed the budget. */
    public boolean changed() {
        return !events.isEmpty();
    }
}
