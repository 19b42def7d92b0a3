/**
 * Command-line entry points (picocli). Each command's main work is a run(...) method returning a result object.
 */
package io.distill4j.cli;
