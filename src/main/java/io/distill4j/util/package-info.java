/**
 * Small utilities every other package may use and that use none of them: atomic file writes, CSV tables, the one
 * YAML mapper, library versions. The bottom layer of distill4j (see {@code LayeringTest}).
 */
package io.distill4j.util;
