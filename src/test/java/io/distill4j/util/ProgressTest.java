package io.distill4j.util;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {

    @Test
    void withoutATerminalTheBarIsPlainLinesFromTheStartToTheEnd() throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress progress = Progress.start("teacher 1/3", 10, out, false, 40)) {
            Thread.sleep(60);
            for (int i = 0; i < 10; i++) {
                progress.step();
                progress.note("loss %.2f", 1.0 / (i + 1));
            }
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), "no carriage returns in a log: " + text);
        List<String> lines = text.lines().toList();
        assertTrue(lines.size() >= 2, "a line at the start and one at the end: " + text);
        assertTrue(lines.stream().allMatch(l -> l.startsWith("teacher 1/3")), text);
        assertTrue(lines.get(0).contains(" 0/10"), "the first line comes before the first step: " + text);
        String last = lines.get(lines.size() - 1);
        assertTrue(last.contains("100%") && last.contains("10/10") && last.contains("loss 0.10"), last);
        assertTrue(lines.stream().distinct().count() == lines.size(), "each line once: " + text);
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlace() throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress progress = Progress.start("reading images", 4, out, true, 40)) {
            progress.stepBy(2);
            Thread.sleep(60);
            progress.stepBy(2);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\r") && text.contains("reading images") && text.contains("4/4"), text);
        assertTrue(text.contains("ETA") || text.contains("("), "an ETA: " + text);
    }
}
