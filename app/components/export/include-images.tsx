/** The "Include image files" option of Quick Export and Schedule Export (off by default). */
export function IncludeImagesOption(props: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  scheduled?: boolean;
}) {
  return (
    <>
      <label class="check">
        <input
          type="checkbox"
          name="include-images"
          checked={props.checked}
          onChange={(e) => props.onChange(e.currentTarget.checked)}
        />
        Include image files
      </label>
      <span class="muted small">
        Adds the image files of the chosen records (product, brand, category and other images, as backed up)
        in an <code>images/</code> folder of {props.scheduled ? "each run's ZIP" : "the ZIP"}.
      </span>
    </>
  );
}
