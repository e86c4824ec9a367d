/** The RFB server: protocol, pixel formats, encodings and key mapping; private to this bundle. */
package org.alosj.ui.vnc.impl;
