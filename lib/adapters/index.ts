export { inventoryFromPaths } from './inventory-from-paths';
export { inventoryFromTemplate, TemplateInventoryOptions } from './cloudformation/inventory-from-template';
export { inventoryFromCdkOut } from './cloudformation/inventory-from-cdk-out';
export { readTemplateFile } from './cloudformation/read-template-file';
export { inventoryFromCdktfOut, inventoryFromTerraformFile, inventoryFromTerraformJson, isTerraformInput } from './terraform';
