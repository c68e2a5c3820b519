package io.ratestream.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The gateway speaks to the streams app only through Kafka and the schemas. */
class ArchitectureTest {

    private static final JavaClasses GATEWAY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ratestream.gateway");

    @Test
    void shouldNotDependOnTheStreamsApp() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.ratestream.streams..", "org.apache.kafka.streams..")
                .check(GATEWAY);
    }

    @Test
    void shouldKeepTheWireCodecFreeOfKafka() {
        noClasses().that().resideInAPackage("io.ratestream.gateway.jsonrpc..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
                .check(GATEWAY);
    }
}
