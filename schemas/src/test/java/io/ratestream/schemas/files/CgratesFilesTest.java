package io.ratestream.schemas.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.UserBudget;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgratesFilesTest {

    /** The project's copy of the original sample data. */
    static final Path DEMO = Path.of("..", "demo", "cgrates-2012");

    private final CgratesFiles files = new CgratesFiles(Json.newMapper());

    @TempDir
    Path dir;

    @Test
    void shouldReadTheOriginalSampleFilesAsTheyAre() {
        DataSet data = files.readDirectory(DEMO);

        assertThat(data.ratingProfiles()).extracting(RatingProfile::key)
                .containsExactly("vdf:rif:0256", "vdf:rif:0257", "vdf:rif:0723", "vdf:minutosu:0723");
        assertThat(data.destinations()).hasSize(4);
        assertThat(data.destinations().get(0).prefixes()).containsExactly("0256", "0257", "0723", "0740");
        assertThat(data.tariffPlans()).extracting(TariffPlan::id).containsExactly("seara", "dimineata");
        assertThat(data.userBudgets()).extracting(UserBudget::id).containsExactly("minutosu", "broker");
    }

    @Test
    void shouldReadTheValuesExactly() {
        DataSet data = files.readDirectory(DEMO);

        RatingProfile rif0257 = data.ratingProfiles().get(1);
        assertThat(rif0257.activationPeriods()).hasSize(2);
        var evening = rif0257.activationPeriods().get(0).intervals().get(0);
        assertThat(evening.price()).isEqualTo(new BigDecimal("0.1"));
        assertThat(evening.startTime()).isEqualTo(LocalTime.of(18, 0));
        assertThat(evening.endTime()).isNull();
        assertThat(evening.weekDays()).containsExactly(1, 2, 3, 4, 5);
        assertThat(rif0257.activationPeriods().get(1).intervals().get(0).billingUnit())
                .isEqualByComparingTo("60");
        // the 0723 interval has no WeekDays at all: any day
        assertThat(data.ratingProfiles().get(2).activationPeriods().get(0).intervals().get(0).weekDays()).isEmpty();

        TariffPlan seara = data.tariffPlans().get(0);
        assertThat(seara.receivedCallSecondsLimit()).isEqualByComparingTo("100");
        assertThat(seara.receivedCallBonus().credit()).isEqualByComparingTo("100");
        assertThat(seara.minuteBuckets().get(0).price()).isEqualTo(new BigDecimal("0.01"));
        assertThat(seara.discountPercent(new BigDecimal("600"))).isEqualByComparingTo("15");

        UserBudget minutosu = data.userBudgets().get(0);
        assertThat(minutosu.credit()).isEqualByComparingTo("21");
        assertThat(minutosu.resetDayOfTheMonth()).isEqualTo(10);
        assertThat(minutosu.minuteBuckets()).hasSize(2);
    }

    @Test
    void shouldNameTheFileLineAndColumnOfBrokenJson() throws IOException {
        Path file = write("destinations.json", "[\n{\"Id\":\"a\", \"Prefixes\":[\"02\"]},\n{\"Id\": }\n]");

        assertThatThrownBy(() -> files.readDestinations(file))
                .isInstanceOf(DataFileException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not valid JSON at line 3");
    }

    @Test
    void shouldNameTheEntryAndFieldOfAWrongType() throws IOException {
        Path file = write("activation_periods.json", """
                [{"CstmId":"vdf","Subject":"rif","DestinationPrefix":"0256","ActivationPeriods":[]},
                 {"CstmId":"vdf","Subject":"rif","DestinationPrefix":"0257","ActivationPeriods":[
                   {"ActivationTime":"2012-01-01T00:00:00Z","Intervals":[{"Price":0.1},{"Price":"cheap"}]}]}]
                """);

        assertThatThrownBy(() -> files.readActivationPeriods(file))
                .isInstanceOf(DataFileException.class)
                .hasMessageContaining("entry 1")
                .hasMessageContaining("field ActivationPeriods[0].Intervals[1].Price")
                .satisfies(e -> {
                    DataFileException error = (DataFileException) e;
                    assertThat(error.entry()).isEqualTo(1);
                    assertThat(error.field()).isEqualTo("ActivationPeriods[0].Intervals[1].Price");
                });
    }

    @Test
    void shouldReportTheRecordsOwnValidation() throws IOException {
        Path file = write("activation_periods.json", """
                [{"CstmId":"vdf","Subject":"rif","DestinationPrefix":"0256","ActivationPeriods":[
                   {"ActivationTime":"2012-01-01T00:00:00Z","Intervals":[{"Price":-1}]}]}]
                """);

        assertThatThrownBy(() -> files.readActivationPeriods(file))
                .isInstanceOf(DataFileException.class)
                .hasMessageContaining("entry 0")
                .hasMessageContaining("ActivationPeriods[0].Intervals[0]")
                .hasMessageContaining("Price must not be negative");
    }

    @Test
    void shouldRefuseNumbersOutOfBoundsBeforeLoadingAnything() throws IOException {
        Path budgets = write("user_budgets.json", "[{\"Id\":\"a\",\"Credit\":1},{\"Id\":\"b\",\"Credit\":1e13}]");
        Path huge = write("tariff_plans.json", "[{\"Id\":\"a\",\"SmsCredit\":1e1000000000}]");
        Path fine = write("destinations.json", "[{\"Id\":\"d\",\"Prefixes\":[\"0256\"]}]");

        assertThatThrownBy(() -> files.readUserBudgets(budgets)).isInstanceOf(DataFileException.class)
                .hasMessageContaining("entry 1").hasMessageContaining("Credit is out of range");
        assertThatThrownBy(() -> files.readTariffPlans(huge)).isInstanceOf(DataFileException.class)
                .hasMessageContaining("entry 0").hasMessageContaining("out of range")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
        assertThat(files.readDestinations(fine)).hasSize(1);
    }

    @Test
    void shouldRefuseAMissingRequiredField() throws IOException {
        Path file = write("user_budgets.json", "[{\"Credit\": 5}]");

        assertThatThrownBy(() -> files.readUserBudgets(file))
                .isInstanceOf(DataFileException.class)
                .hasMessageContaining("entry 0")
                .hasMessageContaining("Id is required");
    }

    @Test
    void shouldRefuseRepeatedKeysRatherThanKeepOne() throws IOException {
        Path file = write("tariff_plans.json", "[{\"Id\":\"a\"},{\"Id\":\"b\"},{\"Id\":\"a\"}]");

        assertThatThrownBy(() -> files.readTariffPlans(file))
                .isInstanceOf(DataFileException.class)
                .hasMessageContaining("entry 2")
                .hasMessageContaining("repeats the key 'a' of entry 0");
    }

    @Test
    void shouldRefuseAFileThatIsNotAnArray() throws IOException {
        Path file = write("destinations.json", "{\"Id\":\"a\"}");

        assertThatThrownBy(() -> files.readDestinations(file))
                .isInstanceOf(DataFileException.class)
                .hasMessageContaining("must hold a JSON array");
    }

    @Test
    void shouldRefuseAMissingFileOfADirectory() throws IOException {
        Files.copy(DEMO.resolve(CgratesFiles.DESTINATIONS), dir.resolve(CgratesFiles.DESTINATIONS));

        assertThatThrownBy(() -> files.readDirectory(dir))
                .isInstanceOf(DataFileException.class)
                .hasMessageContaining(CgratesFiles.ACTIVATION_PERIODS)
                .hasMessageContaining("no such file");
    }

    @Test
    void shouldReturnImmutableLists() {
        List<UserBudget> budgets = files.readUserBudgets(DEMO.resolve(CgratesFiles.USER_BUDGETS));

        assertThatThrownBy(() -> budgets.remove(0)).isInstanceOf(UnsupportedOperationException.class);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
