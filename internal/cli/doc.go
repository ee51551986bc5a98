// Package cli implements the echotrace command line: one file per subcommand, all sharing an
// App that knows the study folder, the output mode and the connector registry. Errors are
// mapped to the documented exit codes in one place (ExitCode).
package cli
