package io.distill4j.spark;

import org.apache.spark.broadcast.Broadcast;

import java.io.Serializable;
import java.util.HashMap;

/**
 * One model to train on an executor: what the driver's {@link io.distill4j.train.Trainer} would train, as plain data.
 *
 * @param config      the model's run config as YAML (the executor opens the same data from it)
 * @param fingerprint the driver's dataset fingerprint: the executor's data must be the same
 * @param entries     the text entries of every saved model zip (provenance, config, model info)
 * @param teacher     the teacher's model zip, broadcast once; null to train from the labels alone
 * @param tensors     the teacher's tensors ({@link io.distill4j.train.TeacherLogits#toBytes}), broadcast once
 */
public record TrainingJob(String name, String config, String fingerprint, HashMap<String, String> entries, int epochs,
                          Broadcast<byte[]> teacher, Broadcast<byte[]> tensors) implements Serializable {
}
