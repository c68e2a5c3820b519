package io.ratestream.streams;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The engine stays pure: no Kafka, no I/O frameworks, no clock-reading helpers from elsewhere. */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ratestream");

    @Test
    void shouldKeepTheEngineFreeOfKafka() {
        noClasses().that().resideInAPackage("io.ratestream.streams.rating..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
                .check(MAIN);
    }

    @Test
    void shouldKeepTheEngineFreeOfClocksAndRandomness() {
        noClasses().that().resideInAPackage("io.ratestream.streams.rating..")
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(java.time.OffsetDateTime.class, "now")
                .orShould().callMethod(java.time.LocalDate.class, "now")
                .orShould().callMethod(Math.class, "random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.UUID")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
                .check(MAIN);
    }

    @Test
    void shouldKeepTheSchemasFreeOfStreamsAndGateway() {
        noClasses().that().resideInAPackage("io.ratestream.schemas..")
                .should().dependOnClassesThat().resideInAnyPackage("io.ratestream.streams..", "io.ratestream.gateway..",
                        "org.apache.kafka.streams..", "io.javalin..")
                .check(MAIN);
    }
}
