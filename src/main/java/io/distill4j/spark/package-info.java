/**
 * Beyond one machine with Apache Spark: {@link io.distill4j.spark.SparkTraining} trains each candidate of a sweep or
 * each seed of an experiment as one Spark task on an executor (the driver keeps the search, the records and the run
 * folder); {@link io.distill4j.spark.SparkSession} connects to a master with bounded, clear failures.
 */
package io.distill4j.spark;
