package io.ratestream.schemas.files;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.Texts;
import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.UserBudget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the original CGRateS 2012 data files as they are: a JSON array of entries each. A file is read
 * and validated whole before anything is returned; the first problem is reported as a
 * {@link DataFileException} naming the file, the entry and the field. Entries that repeat a key
 * (a destination or plan id, a budget id, a profile's tenant + subject + prefix) are an error too,
 * since loading the file would silently keep only one of them.
 *
 * <p>Thread-safe when the mapper is.
 */
public final class CgratesFiles {

    /** File name of the rating profiles in a data directory. */
    public static final String ACTIVATION_PERIODS = "activation_periods.json";
    /** File name of the destinations in a data directory. */
    public static final String DESTINATIONS = "destinations.json";
    /** File name of the tariff plans in a data directory. */
    public static final String TARIFF_PLANS = "tariff_plans.json";
    /** File name of the user budgets in a data directory. */
    public static final String USER_BUDGETS = "user_budgets.json";

    private final ObjectMapper mapper;

    /** A reader using the given mapper (normally {@code Json.newMapper()}). */
    public CgratesFiles(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The rating profiles of an activation periods file. */
    public List<RatingProfile> readActivationPeriods(Path file) {
        return read(file, RatingProfile.class, RatingProfile::key);
    }

    /** The destinations of a destinations file. */
    public List<Destination> readDestinations(Path file) {
        return read(file, Destination.class, Destination::id);
    }

    /** The plans of a tariff plans file. */
    public List<TariffPlan> readTariffPlans(Path file) {
        return read(file, TariffPlan.class, TariffPlan::id);
    }

    /** The budgets of a user budgets file. */
    public List<UserBudget> readUserBudgets(Path file) {
        List<UserBudget> budgets = read(file, UserBudget.class, UserBudget::id);
        for (int i = 0; i < budgets.size(); i++) {
            String problem = budgets.get(i).rangeProblem();
            if (problem != null) {
                throw new DataFileException(file, i, null, problem);
            }
        }
        return budgets;
    }

    /**
     * The four files of a data directory under their original names. All four must be present: a
     * directory missing one is more likely a mistake than a wish.
     */
    public DataSet readDirectory(Path directory) {
        return new DataSet(
                readActivationPeriods(directory.resolve(ACTIVATION_PERIODS)),
                readDestinations(directory.resolve(DESTINATIONS)),
                readTariffPlans(directory.resolve(TARIFF_PLANS)),
                readUserBudgets(directory.resolve(USER_BUDGETS)));
    }

    private <T> List<T> read(Path file, Class<T> type, Function<T, String> key) {
        JsonNode root = readTree(file);
        if (root == null || !root.isArray()) {
            throw new DataFileException(file, -1, null, "must hold a JSON array of entries ([...])");
        }
        List<T> entries = new ArrayList<>(root.size());
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < root.size(); i++) {
            T entry = readEntry(file, i, root.get(i), type);
            Integer earlier = seen.putIfAbsent(key.apply(entry), i);
            if (earlier != null) {
                throw new DataFileException(file, i, null,
                        "repeats the key '" + key.apply(entry) + "' of entry " + earlier);
            }
            entries.add(entry);
        }
        return List.copyOf(entries);
    }

    private JsonNode readTree(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return mapper.readTree(in);
        } catch (NoSuchFileException e) {
            throw new DataFileException(file, -1, null, "no such file");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new DataFileException(file, -1, null, "not valid JSON" + where + ": "
                    + Texts.cut(e.getOriginalMessage(), Json.MAX_DESCRIPTION));
        } catch (IOException e) {
            throw new DataFileException(file, -1, null, "cannot be read: " + e.getMessage());
        }
    }

    private <T> T readEntry(Path file, int index, JsonNode node, Class<T> type) {
        if (!node.isObject()) {
            throw new DataFileException(file, index, null, "must be a JSON object ({...})");
        }
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonMappingException e) {
            throw new DataFileException(file, index, fieldPath(e), Texts.cut(problem(e), Json.MAX_DESCRIPTION));
        } catch (JsonProcessingException e) {
            throw new DataFileException(file, index, null, e.getOriginalMessage());
        }
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** The root cause's message: for a record's own validation, its IllegalArgumentException. */
    private static String problem(JsonMappingException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof JsonProcessingException json) {
            return json.getOriginalMessage();
        }
        return cause.getMessage();
    }
}
