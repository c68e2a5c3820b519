package io.ratestream.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.ser.InstantSerializer;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.rating.Decision;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the stream thread's JSON costs per call, in CPU time of the measuring thread ({@link CpuRounds}):
 * reading a command (GetCost of the worked example, DebitBalance of minutosu) and writing its reply and
 * event, and the gateway's writing of a GetCost command, through the topics' own {@link JsonSerde} and
 * {@link Json#newMapper()}, against the same mapper with Jackson's Blackbird module (generated accessors
 * instead of reflection) and with Jackson's own Instant serializer (as before {@code Rfc3339.format(Instant)}):
 * the median round, in ns per operation.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ratestream.benchmarks.CodecCost [rounds] [ops per round]
 * </pre>
 */
public final class CodecCost {

    private CodecCost() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int ops = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        SampleData sample = new SampleData();
        Command getCost = SampleData.command("bench-1", Method.GET_COST, "rif", "0256", "2012-02-02T17:30:00Z",
                "2012-02-02T18:30:00Z", null);
        Command debit = SampleData.command("bench-2", Method.DEBIT_BALANCE, "minutosu", "0723", null, null,
                new BigDecimal("0.5"));
        // as the gateway makes it: accepted now, to the microsecond (the sample's AcceptedAt has no fraction)
        Command gatewayCost = new Command(getCost.requestId(), getCost.method(), getCost.descriptor(),
                Instant.parse("2026-12-03T07:59:12.345678Z"), getCost.replyTo(), null);
        Decision costDecision = SampleData.requireOk(sample.engine.decide(null, getCost), "GetCost");
        Decision debitDecision = SampleData.requireOk(sample.engine.decide(sample.budget("minutosu"), debit),
                "DebitBalance");
        SampleData.require(debitDecision.events().size() == 1, "DebitBalance must make one event");
        Reply costReply = costDecision.reply();
        Reply debitReply = debitDecision.reply();
        BudgetEvent event = debitDecision.events().get(0);

        Blackhole hole = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        Map<String, ObjectMapper> mappers = new LinkedHashMap<>();
        mappers.put("jackson", Json.newMapper());
        mappers.put("blackbird", Json.newMapper().registerModule(new BlackbirdModule()));
        // as before the fast Instant writer: Jackson's own InstantSerializer, registered last so that it wins
        mappers.put("jsr310-instant", Json.newMapper().registerModule(new SimpleModule("jsr310-instant")
                .addSerializer(Instant.class, InstantSerializer.INSTANCE)));
        // what the shipped mapper writes: every variant must write the same bytes
        JsonSerde<Command> shippedCommands = new JsonSerde<>(Json.newMapper(), Command.class);
        byte[] costBytes = shippedCommands.serialize("c", getCost);
        byte[] debitBytes = shippedCommands.serialize("c", debit);
        byte[] costReplyBytes = new JsonSerde<>(Json.newMapper(), Reply.class).serialize("r", costReply);
        byte[] eventBytes = new JsonSerde<>(Json.newMapper(), BudgetEvent.class).serialize("e", event);

        Map<String, Runnable> variants = new LinkedHashMap<>();
        mappers.forEach((name, mapper) -> {
            JsonSerde<Command> commands = new JsonSerde<>(mapper, Command.class);
            JsonSerde<Reply> replies = new JsonSerde<>(mapper, Reply.class);
            JsonSerde<BudgetEvent> events = new JsonSerde<>(mapper, BudgetEvent.class);
            SampleData.require(commands.deserialize("c", costBytes).equals(getCost), name + " must read GetCost back");
            SampleData.require(Arrays.equals(replies.serialize("r", costReply), costReplyBytes),
                    name + " must write the reply as the shipped mapper does");
            SampleData.require(Arrays.equals(events.serialize("e", event), eventBytes),
                    name + " must write the event as the shipped mapper does");
            SampleData.require(Arrays.equals(commands.serialize("c", getCost), costBytes),
                    name + " must write the command as the shipped mapper does");
            variants.put(name + " writeGetCost", () -> hole.consume(commands.serialize("c", gatewayCost)));
            variants.put(name + " readGetCost", () -> hole.consume(commands.deserialize("c", costBytes)));
            variants.put(name + " readDebit", () -> hole.consume(commands.deserialize("c", debitBytes)));
            variants.put(name + " writeCostReply", () -> hole.consume(replies.serialize("r", costReply)));
            variants.put(name + " writeDebitReply", () -> hole.consume(replies.serialize("r", debitReply)));
            variants.put(name + " writeDebitEvent", () -> hole.consume(events.serialize("e", event)));
        });
        System.out.printf("GetCost command %d bytes, DebitBalance command %d bytes, GetCost reply %d bytes, "
                + "DebitBalance event %d bytes%n", costBytes.length, debitBytes.length, costReplyBytes.length,
                eventBytes.length);

        CpuRounds.print("", variants, rounds, ops);
        hole.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
    }
}
