import { createSignal, onCleanup } from "solid-js";
import { SearchIcon } from "./icons";

type SearchInputProps = {
  /** Accessible label, e.g. "Search products". */
  label: string;
  placeholder?: string;
  /** The query shown at first (e.g. from the URL); the input keeps its own state afterwards. */
  value?: string;
  /** Called with the trimmed query, `debounceMs` after the last keystroke (default 250) or at once on Enter. */
  onSearch: (query: string) => void;
  debounceMs?: number;
};

/** A search box (role "searchbox") that reports the query after the merchant pauses typing. */
export function SearchInput(props: SearchInputProps) {
  const [value, setValue] = createSignal(props.value ?? "");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const emit = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    props.onSearch(value().trim());
  };
  onCleanup(() => timer && clearTimeout(timer));
  return (
    <span class="search-input">
      <SearchIcon size={16} />
      <input
        class="input"
        type="search"
        aria-label={props.label}
        placeholder={props.placeholder ?? props.label}
        value={value()}
        onInput={(event) => {
          setValue(event.currentTarget.value);
          if (timer) clearTimeout(timer);
          timer = setTimeout(emit, props.debounceMs ?? 250);
        }}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            emit();
          }
        }}
      />
    </span>
  );
}
