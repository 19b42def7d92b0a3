package io.distill4j.cli;

import io.distill4j.util.Versions;
import io.distill4j.model.Acceleration;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code distill4j info}: what this installation runs on, and whether the fast CPU path is really on. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the backend, BLAS, threads, versions and whether oneDNN helpers are active.")
public final class InfoCommand implements Callable<Integer> {

    /** The facts {@code info} reports, in display order. */
    public record Info(Map<String, String> facts) {
        public String get(String key) {
            return facts.get(key);
        }
    }

    public Info run() {
        Acceleration.ensureConfigured(); // as the command line does, so a direct call reports the same
        Properties env = Acceleration.environment();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("distill4j", Versions.distill4j());
        facts.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        facts.put("deeplearning4j", Versions.dl4j());
        facts.put("nd4j backend", Acceleration.backend() + " (" + Nd4j.getBackend().getClass().getSimpleName() + ")");
        facts.put("native build", Acceleration.nativeBuild());
        // ND4J stores some of these as numbers, which Properties.getProperty would hide
        facts.put("blas", env.get("blas.vendor") + " (" + env.get("blas.threads") + " threads)");
        facts.put("cpu cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        facts.put("omp threads", String.valueOf(env.get("omp.threads")));
        facts.put("data type", Nd4j.dataType().toString());
        facts.put("dl4j helpers enabled", String.valueOf(Acceleration.helpersEnabled()));
        facts.put("onednn helpers active", String.valueOf(Acceleration.convolutionHelperInUse()));
        facts.put("distill4j onednn convolutions", String.valueOf(Acceleration.oneDnnConvolutions()));
        facts.put("max heap", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        return new Info(facts);
    }

    @Override
    public Integer call() {
        run().facts().forEach((key, value) -> System.out.printf("%-22s %s%n", key, value));
        return 0;
    }
}
