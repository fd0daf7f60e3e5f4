// uPlot is loaded by a <script> tag from its npm package's prebuilt browser file (no bundler).
import type UPlot from 'uplot';

declare global {
  const uPlot: typeof UPlot;
}
