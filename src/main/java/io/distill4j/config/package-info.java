/**
 * Run configuration: one YAML file describes a whole run; Jackson binds it to plain classes, no reflection from YAML.
 */
package io.distill4j.config;
