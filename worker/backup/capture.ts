import { type ApiRecord, recordIdOf, withParent } from "../bigcommerce/client";
import type { ContentType } from "../bigcommerce/registry";
import { displayNameOf, searchTextOf } from "./canonical";
import type { CapturedRecord } from "./vault-writer";

/** API records (children already fetched) as vault captures: id, body, display name, search text. */
export function toCaptured(type: ContentType, records: ApiRecord[], parentId?: string): CapturedRecord[] {
  return records.map((raw) => {
    const body = parentId !== undefined ? withParent(type, raw, parentId) : raw;
    const recordId = recordIdOf(type, raw, parentId);
    return {
      recordId,
      body,
      displayName: displayNameOf(type, body, recordId),
      searchText: searchTextOf(type, body, recordId),
    };
  });
}

/** A deletion capture: the name is kept from the vault so the deleted item stays findable. */
export function deletedCapture(recordId: string, displayName: string, searchText: string): CapturedRecord {
  return { recordId, body: null, displayName, searchText };
}
