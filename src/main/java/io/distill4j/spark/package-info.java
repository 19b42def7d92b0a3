/**
 * Beyond one machine with Apache Spark: {@link io.distill4j.spark.SparkTraining} trains each candidate of a sweep or
 * of an architecture search, or each seed of an experiment, as one Spark task on an executor (the driver keeps the
 * search, the records and the run folder), and connects to a master with bounded, clear failures.
 */
package io.distill4j.spark;
