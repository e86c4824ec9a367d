/** The display window: its Swing frame, the picture's repaint and the host key and mouse mapping; private. */
package org.alosj.ui.window.impl;
