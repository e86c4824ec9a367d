/** The launcher: command line, configuration, Felix boot, shell. Nothing here is exported. */
package org.alosj.launcher;
