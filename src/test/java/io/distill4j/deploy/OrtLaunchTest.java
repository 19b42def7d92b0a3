package io.distill4j.deploy;

import ai.onnxruntime.OrtEnvironment;
import io.distill4j.data.Task;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX Runtime 1.29.0 segfaults the JVM at environment start when the JVM's command line is longer than about 4 KB
 * (a long {@code -cp}, a Surefire {@code argLine}); the pinned version must start under such a command line. A
 * crash kills the JVM, so it runs in a forked one.
 */
class OrtLaunchTest {

    @TempDir
    Path dir;

    @Test
    void ortStartsAndRunsUnderAJvmCommandLineLongerThan8KB() throws Exception {
        Path model = dir.resolve("student.onnx");
        OnnxExport.write(UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 16, 16)), model, null, Map.of());

        // -Ddistill4j.ortJar=... checks another ONNX Runtime jar (1.29.0 fails here)
        String ortJar = System.getProperty("distill4j.ortJar",
                Path.of(OrtEnvironment.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        String probeClasses = Path.of(OrtLaunchProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        // a class path as long as a real one (many jars), padded with entries that do not exist
        List<String> classPath = new ArrayList<>(List.of(probeClasses, ortJar));
        for (int i = 0; classPath.stream().mapToInt(s -> s.length() + 1).sum() < 6000; i++) {
            classPath.add(dir.resolve("lib/not-a-jar-" + i + ".jar").toString());
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Ddistill4j.padding=" + "x".repeat(3000),
                "-cp", String.join(File.pathSeparator, classPath), OrtLaunchProbe.class.getName(), model.toString()));
        int length = String.join(" ", command).length();
        assertTrue(length > 8000, "command line of " + length + " characters");

        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the forked JVM did not finish");
        assertEquals(0, p.exitValue(), "ONNX Runtime under a " + length + "-character JVM command line:\n" + out);
        assertTrue(out.contains("ok [1, 6, 16, 16]"), out);
    }
}
