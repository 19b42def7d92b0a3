package io.distill4j.cli;

import io.distill4j.eval.EvaluationResult;
import io.distill4j.train.StopSignal;
import io.distill4j.workflows.Training;

/** What the commands that train share: Ctrl-C handling and how a trained model is printed. */
final class Commands {

    private Commands() {
    }

    /** A stop signal raised by Ctrl-C: the run stops at the next batch boundary and saves a checkpoint. */
    static StopSignal stopOnCtrlC() {
        return new StopSignal().installShutdownHook();
    }

    /** Best epoch, test score, run folder and promoted model of a training or distillation run. */
    static void print(String what, Training.Result r) {
        EvaluationResult test = r.test();
        System.out.printf("%s: best epoch %d of %d, test %s %.4f%n", what, r.model().best().epoch(),
                r.model().history().size(), test.mainMetricName(), test.mainScore());
        System.out.println("run folder: " + r.runDir());
        System.out.println("report: " + r.runDir().resolve("report.md"));
        if (r.promoted() != null) {
            System.out.println("model: " + r.promoted());
        }
    }
}
