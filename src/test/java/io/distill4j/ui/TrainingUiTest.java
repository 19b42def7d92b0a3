package io.distill4j.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.distill4j.config.RunConfig;
import io.distill4j.train.EpochRecord;
import io.distill4j.train.Run;
import io.distill4j.train.StopSignal;
import io.distill4j.train.TinyRuns;
import io.distill4j.train.TrainedModel;
import io.distill4j.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingUiTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String get(TrainingUi ui, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + ui.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    /** The overview data of a session's worker, once the UI has routed the storage events (it polls every 0.5 s). */
    private static JsonNode overview(TrainingUi ui, String session, int worker, int minScores) throws Exception {
        JsonNode data = null;
        for (int i = 0; i < 60; i++) {
            HttpResponse<String> set = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + ui.port()
                    + "/train/sessions/set/" + session)).build(), HttpResponse.BodyHandlers.ofString());
            if (set.statusCode() == 200) {
                get(ui, "/train/workers/setByIdx/" + worker);
                data = Json.MAPPER.readTree(get(ui, "/train/overview/data"));
                if (data.get("scores").size() >= minScores) {
                    return data;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no overview data for " + session + " worker " + worker + ": " + data);
    }

    @org.junit.jupiter.api.Tag("e2e")
    @Test
    void aLiveDistillationRunIsServedWithItsLossTermsAndReopensWhenFinished(@TempDir Path dir) throws Exception {
        RunConfig config = TinyRuns.segmentation(dir);
        config.training.batchSize = 2;
        config.training.maxBatches = 6; // 12 iterations: DL4J's full statistics are reported at iteration 10
        Path runDir;
        TrainedModel student;
        int port;
        int teacherIterations;
        try (TrainingUi ui = TrainingUi.start(0)) {
            port = ui.port();
            assertTrue(ui.address().startsWith("http://localhost:" + port));
            try (Run run = Run.start(config, "test", new StopSignal())) {
                runDir = run.folder().dir();
                // every epoch trains maxBatches batches (the trainer restarts an iterator an epoch left part-way)
                int batches = (run.data().size(io.distill4j.data.Split.TRAIN) + 1) / 2;
                teacherIterations = 2 * Math.min(6, batches);
                TrainedModel teacher = run.trainFromScratch("teacher", config.teacher);
                student = run.distill("student", teacher.graph());
                String session = runDir.getFileName() + ".student";

                JsonNode dl4j = overview(ui, session, 0, 1);
                assertTrue(dl4j.get("scores").get(0).asDouble() > 0, dl4j.toString());
                assertEquals("ComputationGraph", dl4j.get("model").get(0).get(1).asText());

                // workers sorted by name: student, student/distillation term, student/hard-label loss, student/total loss
                JsonNode soft = overview(ui, session, 1, 12);
                JsonNode hard = overview(ui, session, 2, 12);
                JsonNode total = overview(ui, session, 3, 12);
                assertEquals("ComputationGraph", total.get("model").get(0).get(1).asText());
                for (int epoch = 0; epoch < 2; epoch++) {
                    EpochRecord record = student.history().get(epoch);
                    // equal batches: the epoch's mean of per-batch means is the metrics file's epoch mean
                    assertEquals(record.trainHardLoss(), mean(hard.get("scores"), epoch * 6, 6), 1e-4);
                    assertEquals(record.trainSoftLoss(), mean(soft.get("scores"), epoch * 6, 6), 1e-4);
                    assertEquals(record.trainLoss(), mean(total.get("scores"), epoch * 6, 6), 1e-4);
                }
                assertEquals(11, hard.get("scoresIter").get(11).asInt());
            }
        }
        assertTrue(TrainingUi.isFree(port), "the stopped server frees its port");
        assertTrue(TrainingUi.current().isEmpty());

        // a finished run's stats file reopens and is served again
        assertTrue(Files.size(runDir.resolve(TrainingStats.FILE_NAME)) > 0);
        try (TrainingUi ui = TrainingUi.open(runDir, 0)) {
            JsonNode hard = overview(ui, runDir.getFileName() + ".student", 2, 12);
            assertEquals(12, hard.get("scores").size());
            // the teacher (hard labels only): DL4J's worker and its total loss
            assertEquals(teacherIterations, overview(ui, runDir.getFileName() + ".teacher", 1, teacherIterations)
                    .get("scores").size());
        }
    }

    private static double mean(JsonNode values, int from, int count) {
        double sum = 0;
        for (int i = from; i < from + count; i++) {
            sum += values.get(i).asDouble();
        }
        return sum / count;
    }

    @Test
    void aPortInUseTakesTheNextFreeOneAndSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            assertFalse(TrainingUi.isFree(port));
            try (TrainingUi ui = TrainingUi.start(port)) {
                assertTrue(ui.port() > port, "took " + ui.port());
                assertTrue(ui.message().contains("port " + port + " is in use, so it took " + ui.port()),
                        ui.message());
                IllegalStateException twice = assertThrows(IllegalStateException.class, () -> TrainingUi.start(0));
                assertTrue(twice.getMessage().contains("already running at " + ui.address()), twice.getMessage());
            }
        }
    }

    @Test
    void aFolderWithoutStatsIsAClearError(@TempDir Path dir) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingUi.open(dir, 0));
        assertTrue(e.getMessage().contains("no training stats in " + dir), e.getMessage());
        Path junk = Files.writeString(dir.resolve(TrainingStats.FILE_NAME), "not a stats file");
        e = assertThrows(IllegalArgumentException.class, () -> TrainingUi.open(dir, 0));
        assertTrue(e.getMessage().contains(junk.toString()), e.getMessage());
        assertTrue(TrainingUi.current().isEmpty());
    }
}
