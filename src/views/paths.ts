// SVG paths of series with gaps: a null (no reading) lifts the pen, so no line is drawn across missing readings.

/** "M x,y L x,y …" through the non-null values, starting a new run after each null. */
export function gappedPath(values: readonly (number | null)[], x: (index: number) => number, y: (value: number) => number): string {
  let path = "";
  let pen = false;
  values.forEach((value, i) => {
    if (value === null) {
      pen = false;
      return;
    }
    path += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(value).toFixed(1)} `;
    pen = true;
  });
  return path.trim();
}
